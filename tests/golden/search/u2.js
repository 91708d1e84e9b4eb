briefingSearch.shard('u2','[["вестник",{"0":{"1":1}}]]');
