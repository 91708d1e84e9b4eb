briefingSearch.shard('p','[["page",{"2":{"2":2}}],["pagination",{"0":{"2":1}}],["paragraph",{"2":{"0":1,"1":1}}],["president",{"2":{"6":1}}]]');
