briefingSearch.shard('e','[["else",{"2":{"7":1}}],["event",{"0":{"7":1,"8":1}}]]');
