briefingSearch.shard('j','[["jomart",{"2":{"1":1},"0":{"6":1}}]]');
