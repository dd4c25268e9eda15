"""Free text → occupations → majors: occupation linking, link prediction and fused major matching."""
