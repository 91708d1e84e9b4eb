briefingSearch.shard('u2','[[1,"вестник","1","","","",""]]');
