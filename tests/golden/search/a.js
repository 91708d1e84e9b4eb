briefingSearch.shard('a','[[0,"almaty","1","","","again almaty","1 1"],[1,"","","","","apart","1"],[2,"","","","","almaty","1"],[3,"almaty","1","","","",""],[4,"","","","","alliance","1"]]');
