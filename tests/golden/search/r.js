briefingSearch.shard('r','[[2,"","","","","reached","1"]]');
