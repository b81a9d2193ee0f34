"""Prevention (layer 5): the playbook of tools, the trigger calendar, ranked options, the warning-response
tracker and the security-partner accountability audit."""
