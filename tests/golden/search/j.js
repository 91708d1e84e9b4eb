briefingSearch.shard('j','[[1,"","","","","jomart","1"],[6,"jomart","1","","","",""]]');
