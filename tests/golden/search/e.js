briefingSearch.shard('e','[[2,"","","","","earlier","1"],[7,"event","1","","","else","1"],[8,"event","1","","","",""]]');
