briefingSearch.shard('o','[[1,"","","","","organization","1"],[4,"","","organization","2","",""],[7,"only","1","","","",""],[8,"only","1","","","",""]]');
