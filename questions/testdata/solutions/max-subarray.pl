use strict;
use warnings;

my @data = split ' ', do { local $/; <STDIN> };
my $n = $data[0];
my $best = my $cur = $data[1];
for my $i (2 .. $n) {
    my $v = $data[$i];
    $cur = $cur + $v > $v ? $cur + $v : $v;
    $best = $cur if $cur > $best;
}
print "$best\n";
