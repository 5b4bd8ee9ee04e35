package main

import (
	"os"
	"strings"
	"testing"
)

// TestRecommendedRecipeIsTheDocs: the explorer's form offers the
// recommended recipe as docs/RECIPE writes it.
func TestRecommendedRecipeIsTheDocs(t *testing.T) {
	b, err := os.ReadFile("../../docs/RECIPE")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(string(b)), " "); got != recommendedRecipe {
		t.Errorf("docs/RECIPE is %q, the form offers %q", got, recommendedRecipe)
	}
	for _, r := range formRecipes() {
		if _, err := parseTrainFlags(r.Flags); err != nil {
			t.Errorf("the form's recipe %s: %v", r.Name, err)
		}
	}
}
