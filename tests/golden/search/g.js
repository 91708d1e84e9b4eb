briefingSearch.shard('g','[[2,"","","","","gives","1"]]');
