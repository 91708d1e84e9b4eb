briefingSearch.shard('h','[["happened",{"2":{"7":1,"8":1}}],["here",{"2":{"3":1,"6":1}}],["home",{"2":{"2":1}}]]');
