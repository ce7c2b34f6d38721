import LightningCore

extension PostgresStore: LightningStoreAPI {}
