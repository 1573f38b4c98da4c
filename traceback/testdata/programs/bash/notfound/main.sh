source ./solution.sh

driver_answer=$(solve 3)
echo "$driver_answer"
exit 1
