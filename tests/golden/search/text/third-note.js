briefingSearch.text('third-note','[["p1","A third briefing, so that the home page has a second page. It mentions Almaty."],["p2","Earlier work reached the same count, and gives the method."]]');
