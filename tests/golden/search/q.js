briefingSearch.shard('q','[[0,"quiet","1","","","",""],[1,"","","","","quotation","1"]]');
