briefingSearch.shard('f','[["fixture",{"2":{"1":1,"4":1,"9":1}}],["footnote",{"2":{"0":1}}]]');
