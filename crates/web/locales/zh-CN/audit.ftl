audit-title = 审计记录
audit-intro = 对记录的每一次修改。每条记录的哈希值包含前一条的哈希值，因此在系统之外对数据库的修改会被“minecoop audit verify”发现。
audit-entity = 记录类型
audit-entity-id = 记录编号
