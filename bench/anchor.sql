-- The anchor of `make bench`: the engine's per-line work written by hand for DuckDB, statement by statement.
-- Same work as retention.engine.customer_table on the canonical log: every cleaning rule (first broken rule
-- wins), exact de-duplication of the kept lines, the ledger counts, the returns, all customer features and
-- the BG/NBD summary at the end date. bench/run.py fills the {placeholders}, runs the statements in order,
-- fetches the last two results to pandas and checks them against the engine's.

-- 1. the analysis end date: the day of the latest line
SELECT max(InvoiceDate)::DATE AS end_day FROM {source};

-- 2. ledger: lines and revenue per first broken rule (NULL = kept)
SELECT reason, count(*) AS lines, sum(Quantity * UnitPrice) AS revenue
FROM (
  SELECT Quantity, UnitPrice,
    CASE WHEN CustomerID IS NULL THEN 'missing_customer_id'
         WHEN InvoiceDate IS NULL THEN 'missing_date'
         WHEN upper(InvoiceNo) LIKE 'C%' THEN 'cancellation'
         WHEN Quantity <= 0 THEN 'non_positive_quantity'
         WHEN upper(StockCode) IN ({codes}) THEN 'non_product_code'
         WHEN UnitPrice <= 0 THEN 'non_positive_price'
         WHEN InvoiceDate >= {after} THEN 'after_end_date'
         WHEN abs(Quantity) > {max_quantity} OR UnitPrice > {max_unit_price} THEN 'outlier' END AS reason
  FROM {source})
GROUP BY reason;

-- 3. the returns (identified product cancellations breaking no other rule), per customer and day
CREATE OR REPLACE TEMP TABLE back AS
SELECT CustomerID, (InvoiceDate::DATE - DATE '1970-01-01')::INTEGER AS day, -sum(Quantity * UnitPrice) AS value
FROM {source}
WHERE (upper(InvoiceNo) LIKE 'C%' OR Quantity <= 0) AND CustomerID IS NOT NULL AND InvoiceDate IS NOT NULL
  AND coalesce(upper(StockCode), '') NOT IN ({codes}) AND UnitPrice > 0 AND InvoiceDate < {after}
  AND abs(Quantity) <= {max_quantity} AND UnitPrice <= {max_unit_price}
GROUP BY ALL;

-- 4. the kept lines, exact duplicates collapsed
CREATE OR REPLACE TEMP TABLE lines AS
SELECT CustomerID, InvoiceNo, StockCode, Country, (InvoiceDate::DATE - DATE '1970-01-01')::INTEGER AS day,
       month(InvoiceDate) AS month, Quantity * UnitPrice AS revenue
FROM (SELECT DISTINCT InvoiceNo, StockCode, Description, Quantity, InvoiceDate, UnitPrice, CustomerID, Country
      FROM {source}
      WHERE CustomerID IS NOT NULL AND InvoiceDate IS NOT NULL AND NOT upper(InvoiceNo) LIKE 'C%'
        AND Quantity > 0 AND coalesce(upper(StockCode), '') NOT IN ({codes}) AND UnitPrice > 0
        AND InvoiceDate < {after} AND abs(Quantity) <= {max_quantity} AND UnitPrice <= {max_unit_price});

-- 5. the rest of the ledger: distinct kept lines (kept lines - distinct = duplicate_line) and revenue
SELECT count(*) AS distinct_lines, sum(revenue) AS distinct_revenue FROM lines;

-- 6. every customer: the features and the BG/NBD summary (in days) at the cutoff day {cutoff}
WITH days AS (
  SELECT CustomerID, day, any_value(month) AS month, sum(revenue) AS value FROM lines GROUP BY ALL
), per_day AS (
  SELECT CustomerID, min(day) AS first_day, max(day) AS last_day, count(*) AS order_days, sum(value) AS gross,
         coalesce(sum(value) FILTER (month IN ({peak_months})), 0) AS peak,
         coalesce(sum(value) FILTER (day > {cutoff} - 90), 0) AS recent_gross,
         arg_min(value, day) AS first_value
  FROM days GROUP BY ALL
), invoices AS (
  SELECT DISTINCT CustomerID, InvoiceNo, Country, day FROM lines
), per_invoice AS (
  SELECT CustomerID, count(DISTINCT InvoiceNo) AS frequency,
         count(DISTINCT InvoiceNo) FILTER (day > {cutoff} - 90) AS recent_orders
  FROM invoices GROUP BY ALL
), country AS (
  SELECT CustomerID, Country FROM (
    SELECT CustomerID, Country, count(DISTINCT InvoiceNo) AS n FROM invoices WHERE Country IS NOT NULL GROUP BY ALL)
  QUALIFY row_number() OVER (PARTITION BY CustomerID ORDER BY n DESC, Country) = 1
), products AS (
  SELECT CustomerID, count(DISTINCT StockCode) AS products FROM lines GROUP BY ALL
), returned AS (
  SELECT CustomerID, sum(value) AS back, coalesce(sum(value) FILTER (day > {cutoff} - 90), 0) AS recent_back
  FROM back WHERE day <= {cutoff} GROUP BY ALL
)
SELECT d.CustomerID,
       {cutoff} - last_day AS Recency,
       frequency AS Frequency,
       greatest(gross - coalesce(back, 0), 0) AS Monetary,
       {cutoff} - first_day AS Tenure,
       CASE WHEN order_days = 1 THEN greatest({cutoff} - first_day, 1)::DOUBLE
            ELSE (last_day - first_day) / (order_days - 1) END AS PurchaseVelocity,
       gross / frequency AS AvgOrderValue,
       least(greatest(coalesce(back, 0) / gross, 0), 1) AS ReturnRate,
       products::DOUBLE AS UniqueProducts,
       peak / gross AS PeakSeasonShare,
       peak / gross >= 0.5 AS PeakSeason,
       recent_orders AS Frequency_90d,
       greatest(recent_gross - coalesce(recent_back, 0), 0) AS Monetary_90d,
       (recent_orders / least({cutoff} - first_day + 1, 90)) / (frequency / ({cutoff} - first_day + 1))
         AS OrdersPerMonthRecentVsOverall,
       c.Country,
       first_day AS FirstPurchase,
       last_day AS LastPurchase,
       order_days - 1 AS btyd_frequency,
       (last_day - first_day)::DOUBLE AS btyd_recency,
       ({cutoff} - first_day)::DOUBLE AS btyd_T,
       CASE WHEN order_days > 1 THEN (gross - first_value) / (order_days - 1) ELSE 0 END AS btyd_monetary_value
FROM per_day d JOIN per_invoice i USING (CustomerID) JOIN products p USING (CustomerID)
LEFT JOIN returned r USING (CustomerID) LEFT JOIN country c USING (CustomerID)
ORDER BY d.CustomerID;
