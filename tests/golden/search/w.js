briefingSearch.shard('w','[["wednesday",{"2":{"0":1}}],["week",{"0":{"0":1}}],["work",{"2":{"2":1}}]]');
