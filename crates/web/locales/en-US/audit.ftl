audit-title = Audit trail
audit-intro = Every change to the records, oldest link first in the chain. Each entry's hash covers the one before, so an edit made outside the application is detected by "minecoop audit verify".
audit-entity = Record type
audit-entity-id = Record id
