// BatchGetItem and BatchWriteItem: up to 100 keys / 25 puts and deletes over
// any number of tables, validated as DynamoDB does (duplicates, limits, key
// schemas), then sent as single-item calls to the partitions in parallel.
// Calls that fail with a retryable error come back as UnprocessedKeys /
// UnprocessedItems; the whole batch fails only when every call failed.
#pragma once

#include "router/api/api.h"
#include "router/routing/catalog_client.h"
#include "router/routing/data_client.h"

namespace tern::router {

// catalog and data must outlive api.
void RegisterBatchOperations(Api* api, CatalogClient* catalog, DataClient* data);

}  // namespace tern::router
