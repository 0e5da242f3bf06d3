"""The OData v4 feed of submissions (Excel, Power BI): see apis.py."""
