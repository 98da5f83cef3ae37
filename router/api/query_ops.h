// Query and Scan: validated as DynamoDB does (key conditions, filters,
// projections, Select, Limit, ExclusiveStartKey, parallel-scan segments, and
// the legacy KeyConditions/QueryFilter/ScanFilter/AttributesToGet), then read
// one page from the storage node holding the table's partition. The page is
// cut at Limit items evaluated or 1 MB read, before the filter, and resumes
// after LastEvaluatedKey.
#pragma once

#include "router/api/api.h"
#include "router/routing/catalog_client.h"
#include "router/routing/data_client.h"

namespace tern::router {

// catalog and data must outlive api.
void RegisterQueryOperations(Api* api, CatalogClient* catalog, DataClient* data);

}  // namespace tern::router
