briefingSearch.shard('u1','[[1,"степнои","1","","","",""]]');
