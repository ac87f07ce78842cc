"""The Elveta demo: policy, tagged models, an SQLite service and the walkthrough."""
