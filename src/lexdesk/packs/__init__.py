"""The rule packs shipped with lexdesk: one folder per pack, one YAML file per law version,
``vectors.yaml`` beside them. Read by ``lexdesk.adapters.rule_packs``; see ``docs/rules.md``."""
