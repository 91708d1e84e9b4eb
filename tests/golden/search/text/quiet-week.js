briefingSearch.text('quiet-week','[["p1","The CSTO met in Almaty on Wednesday. Nobody from the KNB came."],["p2","A second paragraph mentions the CSTO again, and Tokayev."]]');
