briefingSearch.shard('g','[["gives",{"2":{"2":1}}]]');
