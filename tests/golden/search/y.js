briefingSearch.shard('y','[[7,"year","1","","","",""]]');
