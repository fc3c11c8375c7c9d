"""Operations helpers without models: backups, and the error page for a database that cannot write.

Not an installed app; its commands (`bianmin backup`, `bianmin restore`) live in bianmin.common.
"""
