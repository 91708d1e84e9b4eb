briefingSearch.shard('n','[["named",{"2":{"1":1,"3":1,"6":1}}],["nobody",{"2":{"0":1}}],["note",{"0":{"2":1}}]]');
