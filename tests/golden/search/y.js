briefingSearch.shard('y','[["year",{"0":{"7":1}}]]');
