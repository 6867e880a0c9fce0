"""The mathematics, knowing nothing of scenario files, planners or words: the array types
(``arrays``), probability distributions (``distributions``), correlation of draws (``dependence``),
error bars of probabilities and means (``intervals``) and a bounded-memory quantile sketch
(``sketch``). Every layer above may use it; it uses none of them, not even the language."""
