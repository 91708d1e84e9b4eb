briefingSearch.shard('b','[["briefing",{"2":{"0":1,"1":1,"2":1}}]]');
