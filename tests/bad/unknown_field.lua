-- A misspelt field is refused by name, with a suggestion.
-- exit: 2
-- stderr: unknown_field.lua:4: sim.device: unknown field 'integrty'; did you mean 'integrity'?
sim.device{ integrty = true }
