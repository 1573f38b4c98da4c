<?php

require __DIR__ . '/solution.php';

$driverAnswer = solve('three');
echo $driverAnswer, "\n";
