"""The README quickstart: the "myApp" backoffice with users living at addresses."""
