briefingSearch.shard('w','[[0,"week","1","","","wednesday","1"],[2,"","","","","work","1"]]');
