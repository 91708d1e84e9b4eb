briefingSearch.shard('e','[["earlier",{"2":{"2":1}}],["else",{"2":{"7":1}}],["event",{"0":{"7":1,"8":1}}]]');
