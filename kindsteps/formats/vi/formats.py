# Django's Vietnamese formats name the separators ("1.234,5") but not the grouping, so
# number_format left Vietnamese numbers ungrouped; the rest comes from Django's own module.
NUMBER_GROUPING = 3
