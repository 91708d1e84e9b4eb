briefingSearch.shard('q','[["quiet",{"0":{"0":1}}],["quotation",{"2":{"1":1}}]]');
