briefingSearch.shard('m','[[0,"","","","","mentions met","1 1"],[2,"","","","","mentions method","1 1"],[8,"month","1","","","march","1"],[9,"meeting","1","","","met","1"]]');
