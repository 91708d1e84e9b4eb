briefingSearch.shard('b','[[0,"","","","","briefing","1"],[1,"","","","","briefing","1"],[2,"","","","","briefing","1"]]');
