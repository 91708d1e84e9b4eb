briefingSearch.shard('f','[[0,"","","","","footnote","1"],[1,"","","","","fixture","1"],[4,"","","","","fixture","1"],[9,"","","","","fixture","1"]]');
