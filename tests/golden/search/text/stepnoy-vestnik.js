briefingSearch.text('stepnoy-vestnik','[["p1","Kassym-Jomart Tokayev is named in this paragraph. The Collective Security Treaty Organization too."],["p2","A quotation, set apart."]]');
