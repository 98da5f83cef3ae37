// The single-item operations: PutItem, GetItem, UpdateItem, DeleteItem.
// Each validates its request as DynamoDB does, finds the table and its
// partition through the catalog, lets the partition's storage node decide the
// write, and shapes the answer (Item/Attributes per ReturnValues,
// ConsumedCapacity per DynamoDB's arithmetic).
#pragma once

#include "router/api/api.h"
#include "router/routing/catalog_client.h"
#include "router/routing/data_client.h"

namespace tern::router {

// catalog and data must outlive api.
void RegisterItemOperations(Api* api, CatalogClient* catalog, DataClient* data);

// Capacity units as DynamoDB computes them: reads round up to 4 KB (halved
// when eventually consistent), writes to 1 KB, and never less than one unit.
double ReadCapacityUnits(int64_t item_bytes, bool consistent);
double WriteCapacityUnits(int64_t item_bytes);

}  // namespace tern::router
