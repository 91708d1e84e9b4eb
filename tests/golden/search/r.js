briefingSearch.shard('r','[["reached",{"2":{"2":1}}]]');
