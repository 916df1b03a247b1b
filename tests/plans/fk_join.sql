-- A foreign-key table join: the left table's rows go by foreign key (repartition_v1 with
-- foreignKey) to the right table's partitions; the result is keyed by the left table's key.
CREATE TABLE orders (oid INT PRIMARY KEY, cust INT, amount INT)
  WITH (kafka_topic='orders', value_format='JSON');
CREATE TABLE customers (cid INT PRIMARY KEY, name STRING)
  WITH (kafka_topic='customers', value_format='JSON');
CREATE TABLE named_orders AS
  SELECT oid, amount, name FROM orders LEFT JOIN customers ON cust = cid;
