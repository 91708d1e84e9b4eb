briefingSearch.shard('u1','[["степнои",{"0":{"1":1}}]]');
