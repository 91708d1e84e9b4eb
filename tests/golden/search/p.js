briefingSearch.shard('p','[[0,"","","","","paragraph","1"],[1,"","","","","paragraph","1"],[2,"pagination","1","","","page","2"],[6,"","","","","president","1"]]');
