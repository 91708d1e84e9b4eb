briefingSearch.shard('o','[["only",{"0":{"7":1,"8":1}}],["organization",{"2":{"1":1},"1":{"4":2}}]]');
